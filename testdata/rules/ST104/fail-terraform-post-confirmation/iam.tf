# The welcome mail's permission, in its own file: the diagnostic names it as a related location.
data "aws_iam_policy_document" "mail" {
  statement {
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = ["arn:aws:ses:us-west-2:111111111111:identity/example.com"]
  }
}

resource "aws_iam_policy" "mail" {
  name   = "welcome-mail"
  policy = data.aws_iam_policy_document.mail.json
}

resource "aws_iam_role_policy_attachment" "mail" {
  role       = "welcome-mailer"
  policy_arn = aws_iam_policy.mail.arn
}
