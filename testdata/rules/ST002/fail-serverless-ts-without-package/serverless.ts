import type { AWS } from '@serverless/typescript';

const serverlessConfiguration: AWS = {
  service: 'auth',
  frameworkVersion: '3',
  provider: { name: 'aws', runtime: 'nodejs20.x' },
};

module.exports = serverlessConfiguration;
