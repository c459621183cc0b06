"""DynamoDB storage (pynamodb models) and the adapters built on them."""
