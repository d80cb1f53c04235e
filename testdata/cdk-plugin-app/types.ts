// Compiled by scripts/test-npm.sh with `tsc --noEmit` against the installed aws-cdk-lib: the
// plugin is assignable to both of CDK's plugin interfaces, and takes the options of the contract.
import type { IPolicyValidationPlugin, IPolicyValidationPluginBeta1 } from 'aws-cdk-lib';
import { SandtrapValidator } from 'sandtrap-cdk';

const options = { sesSandbox: ['us-west-2'], sesProduction: ['123456789012:eu-west-1'], configFile: '.sandtrap.yaml', failLevel: 'error' } as const;
export const beta1: IPolicyValidationPluginBeta1 = new SandtrapValidator(options);
export const stable: IPolicyValidationPlugin = new SandtrapValidator({ failLevel: 'warning' });
