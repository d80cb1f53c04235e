# One pool per environment, from a variable with no value: each is judged with `each` unknown,
# and the unknown collection is named.
variable "environments" {
  type = set(string)
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_cognito_user_pool" "pool" {
  for_each = var.environments
  name     = "users-${each.key}"

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:eu-west-1:111111111111:identity/${each.key}.example.com"
  }
}
