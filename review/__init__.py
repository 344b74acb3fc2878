"""The analyst review web app: runs, documents, themes and takeaways; a review queue; retraining."""

from review.app import create_app, serve_review
from review.security import ReviewConfigError, check_bind

__all__ = ["ReviewConfigError", "check_bind", "create_app", "serve_review"]
