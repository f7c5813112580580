// Recording fakes of the `sst` and `aws` globals the stacks use, so stacks/*.ts can run without Pulumi or AWS:
// every component becomes a record of its type, name and args. An unknown deploy-time value (a bucket name, a
// secret) is an Unknown carrying the longest value it may take, for the size checks.

/** A value known only at deploy time: `ref` names it, `maxLength` bounds its length in bytes. */
export class Unknown {
  constructor(
    readonly ref: string,
    readonly maxLength: number,
  ) {}
}

export interface Recorded {
  type: string
  name: string
  args: any
  /** For a queue subscriber: the event source mapping args after the stack's transform. */
  eventSource?: any
}

/** Longest values of unknowns (AWS naming limits; secrets as large as a relay URL with a long password gets). */
const MAX = { name: 64, arn: 256, url: 256, secret: 512, region: 16 }

export function installFakeSst(): Recorded[] {
  const made: Recorded[] = []
  const record = (type: string, name: string, args: any) => {
    const r: Recorded = { type, name, args }
    made.push(r)
    return r
  }
  class Queue {
    arn: Unknown
    url: Unknown
    nodes: { queue: { name: Unknown } }
    constructor(
      readonly name: string,
      args: any = {},
    ) {
      record('sst.aws.Queue', name, args)
      this.arn = new Unknown(`${name}.arn`, MAX.arn)
      this.url = new Unknown(`${name}.url`, MAX.url)
      this.nodes = { queue: { name: new Unknown(`${name}.name`, 80) } }
    }
    subscribe(fn: any, sub: any = {}) {
      const esm: any = { batchSize: sub.batch?.size ?? 10 }
      sub.transform?.eventSourceMapping?.(esm)
      const r = record('sst.aws.Function', `${this.name}Subscriber`, fn)
      r.eventSource = { queue: this.name, ...sub, mapping: esm }
      return { nodes: { function: r } }
    }
  }
  const g = globalThis as any
  g.sst = {
    Secret: class {
      value: Unknown
      constructor(name: string, placeholder?: string) {
        record('sst.Secret', name, { placeholder })
        this.value = new Unknown(`Secret.${name}`, MAX.secret)
      }
    },
    aws: {
      Bucket: class {
        name: Unknown
        arn: Unknown
        constructor(name: string, args: any) {
          record('sst.aws.Bucket', name, args)
          this.name = new Unknown(`${name}.name`, 63)
          this.arn = new Unknown(`${name}.arn`, MAX.arn)
        }
        notify(args: any) {
          record('sst.aws.BucketNotification', 'notify', args)
        }
      },
      Function: class {
        url: Unknown
        arn: Unknown
        constructor(
          readonly fakeName: string,
          args: any,
        ) {
          record('sst.aws.Function', fakeName, args)
          this.url = new Unknown(`${fakeName}.url`, MAX.url)
          this.arn = new Unknown(`${fakeName}.arn`, MAX.arn)
        }
      },
      Queue,
      CronV2: class {
        constructor(name: string, args: any) {
          record('sst.aws.CronV2', name, args)
        }
      },
      Cron: class {
        constructor(name: string, args: any) {
          record('sst.aws.Cron', name, args)
        }
      },
      SnsTopic: class {
        arn: Unknown
        constructor(name: string, args: any) {
          record('sst.aws.SnsTopic', name, args)
          this.arn = new Unknown(`${name}.arn`, MAX.arn)
        }
      },
    },
  }
  g.aws = {
    getRegionOutput: () => ({ region: new Unknown('region', MAX.region) }),
    cloudwatch: {
      MetricAlarm: class {
        constructor(name: string, args: any) {
          record('aws.cloudwatch.MetricAlarm', name, args)
        }
      },
    },
  }
  return made
}

export function removeFakeSst() {
  delete (globalThis as any).sst
  delete (globalThis as any).aws
}
