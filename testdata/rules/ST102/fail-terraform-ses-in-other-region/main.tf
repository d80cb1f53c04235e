# A pool in eu-central-1 mailing through SES in eu-west-1: that region's sandbox and identities
# are the ones that count.
provider "aws" {
  region = "eu-central-1"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
  }
}
