# The pool is created through the `aws.west` provider (us-west-2), where SES is in the
# sandbox: every sign-up mail to an unverified address fails after a green apply.
provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

resource "aws_cognito_user_pool" "pool" {
  provider                 = aws.west
  name                     = "users"
  auto_verified_attributes = ["email"]
  username_attributes      = ["email"]

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:us-west-2:111111111111:identity/example.com"
    from_email_address    = "noreply@example.com"
  }
}
