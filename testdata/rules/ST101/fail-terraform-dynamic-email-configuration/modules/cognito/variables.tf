variable "user_pool_name" {
  type = string
}

variable "email_configuration" {
  type    = map(any)
  default = {}
}

variable "email_sending_account" {
  type    = string
  default = "COGNITO_DEFAULT"
}

variable "email_source_arn" {
  type    = string
  default = ""
}

variable "email_from_address" {
  type    = string
  default = null
}
