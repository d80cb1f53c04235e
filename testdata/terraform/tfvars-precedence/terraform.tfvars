region = "eu-west-1"
domain = "tfvars.example.com"
sender = "tfvars"
