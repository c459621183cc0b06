"""X's account activity webhook: CRC answered, deliveries checked and forwarded to the listen queue."""
