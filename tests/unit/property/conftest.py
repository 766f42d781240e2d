import property_settings

property_settings.load()
