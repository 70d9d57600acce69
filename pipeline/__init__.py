"""factbase: multilingual news articles in, one typed, source-grounded JSONL fact base out."""

__version__ = "0.1.0"
