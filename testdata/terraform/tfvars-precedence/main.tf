# Terraform's order for a root's variables: default, terraform.tfvars, terraform.tfvars.json,
# *.auto.tfvars and *.auto.tfvars.json in lexical order, then --var-file and --var.
variable "region" {
  type    = string
  default = "us-east-1"
}

variable "domain" {
  type    = string
  default = "default.example.com"
}

variable "sender" {
  type    = string
  default = "default"
}

provider "aws" {
  region = var.region
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:${var.region}:111111111111:identity/${var.domain}"
    from_email_address    = "${var.sender}@${var.domain}"
  }
}
