# One pool per environment from a map, each with its own settings.
locals {
  environments = {
    prod    = { sending = "DEVELOPER", domain = "example.com" }
    staging = { sending = "COGNITO_DEFAULT", domain = "staging.example.com" }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_cognito_user_pool" "env" {
  for_each = local.environments
  name     = "users-${each.key}"

  email_configuration {
    email_sending_account = each.value.sending
    source_arn            = each.key == "prod" ? "arn:aws:ses:us-east-1:111111111111:identity/${each.value.domain}" : null
    from_email_address    = "noreply@${each.value.domain}"
  }
}
