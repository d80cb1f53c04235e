sender = "auto-a"
