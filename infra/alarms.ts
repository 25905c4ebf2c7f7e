import {
  aws_cloudwatch_actions as actions,
  type aws_apigatewayv2 as apigatewayv2,
  aws_cloudwatch as cloudwatch,
  Duration,
  type aws_dynamodb as dynamodb,
  type aws_lambda as lambda,
  aws_sns as sns,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GATEWAY_OPERATIONS } from './table-access.js';

export interface ShopAlarmsProps {
  table: dynamodb.ITable;
  httpFunction: lambda.IFunction;
  streamFunction: lambda.IFunction;
  streamFailures: sqs.IQueue;
  api: apigatewayv2.IHttpApi;
}

/**
 * ThrottledRequests and SystemErrors exist only per operation: the sum over the gateway's
 * operations. Each term is FILLed with 0 because in metric math a term without data makes the
 * whole sum missing, and these metrics have data only for operations that were throttled or
 * failed: CDK's metricThrottledRequestsForOperations (a plain `a + b + ...`) would never fire
 * on a throttled GetItem alone. Seven operations stay under an alarm's ten metrics.
 */
export function sumOverOperations(
  table: dynamodb.ITable,
  metricName: 'ThrottledRequests' | 'SystemErrors',
  period: Duration,
): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  for (const operation of GATEWAY_OPERATIONS) {
    usingMetrics[operation.toLowerCase()] = new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName, Operation: operation },
      statistic: 'Sum',
      period,
    });
  }
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    period,
    label: `${metricName} of the gateway's operations`,
  });
}

/** The stream function falls this far behind the table before anyone is told. */
export const ITERATOR_AGE_THRESHOLD_MS = 60_000;

/**
 * The alarms of a DynamoDB launch checklist, all to one SNS topic (subscribe to it after the
 * deploy). Each fires on the first occurrence: on an on-demand table any throttling or system
 * error is a sign to look, not noise. No data (no traffic) is not an alarm.
 */
export class ShopAlarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: ShopAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { enforceSSL: true });
    const action = new actions.SnsAction(this.topic);
    const period = Duration.minutes(1);
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      alarmDescription: string,
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription,
      });
      created.addAlarmAction(action);
      return created;
    };

    alarm(
      'TableThrottledRequests',
      sumOverOperations(props.table, 'ThrottledRequests', period),
      0,
      'Requests to the table were throttled (on-demand: a traffic spike above twice the previous peak, or a hot partition).',
    );
    alarm(
      'TableReadThrottleEvents',
      props.table.metric('ReadThrottleEvents', { statistic: 'Sum', period }),
      0,
      'Reads of the table were throttled.',
    );
    alarm(
      'TableWriteThrottleEvents',
      props.table.metric('WriteThrottleEvents', { statistic: 'Sum', period }),
      0,
      'Writes to the table were throttled (also when an index cannot keep up with the table).',
    );
    alarm(
      'TableSystemErrors',
      sumOverOperations(props.table, 'SystemErrors', period),
      0,
      'DynamoDB answered with server errors (HTTP 500): requests failed on its side.',
    );
    alarm(
      'HttpFunctionErrors',
      props.httpFunction.metricErrors({ statistic: 'Sum', period }),
      0,
      'Invocations of the HTTP function failed (a cold start with a bad configuration, a crash, a timeout).',
    );
    alarm(
      'StreamFunctionErrors',
      props.streamFunction.metricErrors({ statistic: 'Sum', period }),
      0,
      'Invocations of the stream function failed: its batches are retried, then sent to the failure queue.',
    );
    alarm(
      'StreamIteratorAge',
      props.streamFunction.metric('IteratorAge', { statistic: 'Maximum', period }),
      ITERATOR_AGE_THRESHOLD_MS,
      'The stream function is behind the table by more than a minute: subscribers see changes late.',
    );
    alarm(
      'StreamFailuresQueued',
      props.streamFailures.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period,
      }),
      0,
      'Stream batches were given up on: their changes never reached Redis (the message names the shard and sequence numbers).',
    );
    alarm(
      'ApiServerErrors',
      props.api.metricServerError({ statistic: 'Sum', period }),
      0,
      'The HTTP API answered 5xx (the gateway overloaded or its DynamoDB calls failing).',
    );
  }
}
