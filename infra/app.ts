import { App, DefaultStackSynthesizer, aws_lambda as lambda } from 'aws-cdk-lib';
import { ShopStack } from './shop-stack.js';

export const STACK_NAME = 'ShopGateway';

export interface ShopAppOptions {
  /** Default of the TableName parameter. */
  tableName: string;
  /**
   * The Lambda package, a directory or a zip (infra/README.md). Set: a CDK asset, for
   * `cdk deploy` to a bootstrapped account. Unset: the template takes the package's S3 location
   * as parameters and needs no bootstrap, no build and no AWS account to synthesize.
   */
  lambdaPackage?: string;
  /** Where the cloud assembly goes; unset, CDK_OUTDIR (set by the CDK CLI) or a temp dir. */
  outdir?: string;
}

/** The CDK app with the one stack: used by `npm run infra`, the CDK CLI and the tests. */
export function createShopApp(options: ShopAppOptions): { app: App; stack: ShopStack } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    // No CDKMetadata resource (it reports the CDK version to AWS) and no construct paths in
    // the template: `npm run infra` prints the same template for the same code.
    analyticsReporting: false,
    context: { 'aws:cdk:enable-path-metadata': false },
  });
  const stack = new ShopStack(app, STACK_NAME, {
    tableName: options.tableName,
    ...(options.lambdaPackage
      ? { code: lambda.Code.fromAsset(options.lambdaPackage) }
      : // Nothing to upload: no bootstrap stack needed, so no check of its version either.
        { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) }),
  });
  return { app, stack };
}
