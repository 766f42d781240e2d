"""The SQS DLQ helpers under their former name; they live in ``allocations.sqs_dlq``, beside the other SQS code."""

from allocations.sqs_dlq import DlqDepth, PeekedMessage, RedriveResult, SqsDlq, _peeked

__all__ = ["DlqDepth", "PeekedMessage", "RedriveResult", "SqsDlq", "_peeked"]
