// A second CDK app for the cases where a linter must not pass silently: an Amplify-shaped
// environment-agnostic auth stack, an environment-agnostic pool with a fixed SES region, an
// identity created by the same deployment as its pool (a NestedStack), and a CDK cross-region
// reference. scripts/test-cdk.sh synthesizes it with `node accuracy.js OUTDIR [amplify]` (with
// `amplify`, only the Amplify-shaped stack) and asserts what sandtrap reports.
'use strict';

const { App, Stack, NestedStack } = require('aws-cdk-lib');
const cognito = require('aws-cdk-lib/aws-cognito');
const ses = require('aws-cdk-lib/aws-ses');

const ACCOUNT = '111111111111';
const outdir = process.argv[2] || 'cdk.out';
const only = process.argv[3];

const app = new App({ outdir });

// Amplify Gen 2's auth stack with `senders.email`: no `env`, anyone can sign up, and the
// SourceArn names SES in the stack's own region (`${AWS::Region}`), whatever region it lands in.
const amplify = new Stack(app, 'AmplifyAuth');
const amplifyPool = new cognito.UserPool(amplify, 'UserPool', {
  selfSignUpEnabled: true,
  signInAliases: { email: true },
  autoVerify: { email: true },
});
amplifyPool.node.defaultChild.emailConfiguration = {
  emailSendingAccount: 'DEVELOPER',
  from: 'noreply@example.com',
  sourceArn: amplify.formatArn({ service: 'ses', resource: 'identity', resourceName: 'example.com' }),
};

if (only !== 'amplify') {
  // Environment-agnostic, with the SES region written out: whether eu-west-1 is allowed for the
  // pool's region cannot be checked (ST003 says so).
  const regional = new Stack(app, 'Regional');
  new cognito.UserPool(regional, 'StaffPool', {
    email: cognito.UserPoolEmail.withSES({
      fromEmail: 'noreply@regional.example.com',
      sesRegion: 'eu-west-1',
      sesVerifiedDomain: 'regional.example.com',
    }),
  });

  // The identity in the parent, the pool in a NestedStack: one deployment, so the identity is
  // still pending when the pool is created (ST208).
  const parent = new Stack(app, 'Parent', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  new ses.EmailIdentity(parent, 'Identity', { identity: ses.Identity.domain('nested.example.com') });
  const pools = new NestedStack(parent, 'Pools');
  new cognito.UserPool(pools, 'PartnerPool', {
    email: cognito.UserPoolEmail.withSES({
      fromEmail: 'partners@nested.example.com',
      sesVerifiedDomain: 'nested.example.com',
    }),
  });

  // A cross-region reference: the identity in us-east-1, the pool in eu-west-1 reading its ARN
  // through CDK's export reader (resolved, so no ST002).
  const mail = new Stack(app, 'Mail', {
    env: { account: ACCOUNT, region: 'us-east-1' },
    crossRegionReferences: true,
  });
  const domain = new ses.EmailIdentity(mail, 'Domain', { identity: ses.Identity.domain('example.com') });
  const auth = new Stack(app, 'Auth', {
    env: { account: ACCOUNT, region: 'eu-west-1' },
    crossRegionReferences: true,
  });
  new cognito.CfnUserPool(auth, 'Pool', {
    adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    emailConfiguration: {
      emailSendingAccount: 'DEVELOPER',
      from: 'noreply@example.com',
      sourceArn: domain.emailIdentityArn,
    },
  });
}

app.synth();
