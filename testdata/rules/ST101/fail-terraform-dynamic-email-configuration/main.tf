# The shape of the most used community module: `email_configuration` is a dynamic block fed by
# a `map(any)` variable, with flat `email_*` variables as the fallback through `try()`; the
# caller passes the identity's ARN, so the block exists only because of the caller.
provider "aws" {
  region = "us-west-2"
}

resource "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

module "cognito" {
  source         = "./modules/cognito"
  user_pool_name = "users"

  email_configuration = {
    email_sending_account = "DEVELOPER"
    source_arn            = aws_ses_domain_identity.mail.arn
  }
  email_from_address = "noreply@example.com"
}
