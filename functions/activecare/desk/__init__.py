"""The agent desk: list, show (history first), claim, reply in the open thread, resolve.

`DeskService` holds the rules; it reaches storage and X through the small ports in
`ports` (DynamoDB adapters in `dynamo`, in-memory fakes in `memory`)."""
