"""Partnerwise: know what sort of partnership you are entering, and on what terms to go in."""
