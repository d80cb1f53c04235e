# A module that calls a module: the inner one inherits the default provider the outer one was
# given, and an output of the outer one feeds a pool of the root.
provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

module "outer" {
  source = "./modules/outer"
  providers = {
    aws = aws.west
  }
  domain = "example.com"
}

resource "aws_cognito_user_pool" "root" {
  name = "root"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = module.outer.identity_arn
    from_email_address    = "root@example.com"
  }
}
