# The same pool, with SES production access recorded for us-west-2.
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
