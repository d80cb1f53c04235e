# The identity is declared through the us-east-1 provider; the pool names it in eu-west-1.
provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "virginia"
  region = "us-east-1"
}

resource "aws_ses_domain_identity" "mail" {
  provider = aws.virginia
  domain   = "example.com"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
  }
}
