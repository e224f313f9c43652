"""The analysts' web UI under /ui/: accounts, sessions, CSRF, single sign-on and the page frame."""
