resource "aws_lambda_function" "welcome" {
  function_name = "welcome"
  role          = aws_iam_role.welcome.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "welcome.zip"
}

resource "aws_iam_role" "welcome" {
  name = "welcome-mailer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
