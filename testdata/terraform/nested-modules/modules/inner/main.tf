variable "name" {
  type = string
}

variable "arn" {
  type = string
}

resource "aws_cognito_user_pool" "this" {
  name = var.name

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = var.arn
    from_email_address    = "inner@example.com"
  }
}
