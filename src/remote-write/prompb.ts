import protobuf from 'protobufjs/light.js';

/**
 * Prometheus' remote-write 1.0 messages (prompb/remote.proto and prompb/types.proto, package
 * `prometheus`), as a protobufjs reflection definition so no .proto file has to ship or be parsed at run
 * time. Only the fields we send are declared: exemplars (3), native histograms (4) and metadata (3 of
 * WriteRequest) are optional in the protocol; a receiver treats their absence as none.
 */
const ROOT = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        // timestamp: milliseconds since the epoch.
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});

const WRITE_REQUEST = ROOT.lookupType('prometheus.WriteRequest');

export interface PromLabel {
  readonly name: string;
  readonly value: string;
}

interface PromSample {
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export interface PromTimeSeries {
  /** Sorted by name, `__name__` included, as the protocol requires. */
  readonly labels: readonly PromLabel[];
  readonly samples: readonly PromSample[];
}

export function encodeWriteRequest(timeseries: readonly PromTimeSeries[]): Uint8Array {
  return WRITE_REQUEST.encode(WRITE_REQUEST.fromObject({ timeseries })).finish();
}

/** The reverse, for tests and diagnostics: int64 timestamps come back as numbers. */
export function decodeWriteRequest(bytes: Uint8Array): { timeseries: PromTimeSeries[] } {
  const message = WRITE_REQUEST.decode(bytes);
  return WRITE_REQUEST.toObject(message, { longs: Number, defaults: true, arrays: true }) as { timeseries: PromTimeSeries[] };
}
