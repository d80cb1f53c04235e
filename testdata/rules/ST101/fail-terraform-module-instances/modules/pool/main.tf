variable "name" {
  type = string
}

variable "source_arn" {
  type = string
}

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  auto_verified_attributes = ["email"]

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = var.source_arn
    from_email_address    = "noreply@example.com"
  }
}
