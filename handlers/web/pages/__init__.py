"""The bot's own one-time web pages: HTML templates, form reading, and the headers they carry."""
