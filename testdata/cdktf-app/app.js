// A CDK for Terraform app with two stacks of one construct: staging in Oregon, production in
// Tokyo. Synthesized with `node app.js OUTDIR` (no cdktf CLI), it is what sandtrap reads from
// `cdktf.out`: each stack's cdk.tf.json is Terraform JSON syntax.
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { CognitoUserPool } = require('@cdktf/provider-aws/lib/cognito-user-pool');
const { SesDomainIdentity } = require('@cdktf/provider-aws/lib/ses-domain-identity');

class AuthStack extends TerraformStack {
  constructor(scope, id, region) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region });
    const mail = new SesDomainIdentity(this, 'mail', { domain: 'example.com' });
    new CognitoUserPool(this, 'users', {
      name: `${id}-users`,
      autoVerifiedAttributes: ['email'],
      usernameAttributes: ['email'],
      emailConfiguration: {
        emailSendingAccount: 'DEVELOPER',
        sourceArn: `arn:aws:ses:${region}:111111111111:identity/example.com`,
        fromEmailAddress: 'noreply@example.com',
      },
    });
    void mail;
  }
}

const app = new App({ outdir: process.argv[2] || 'cdktf.out' });
new AuthStack(app, 'auth-staging', 'us-west-2');
new AuthStack(app, 'auth-prod', 'ap-northeast-1');
app.synth();
