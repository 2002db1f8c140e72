import { z } from 'zod';
import { Artifact, ColumnName, httpUrl } from '../fields.js';
import { clampTimeout, need, priced, tier } from '../helpers.js';
import { defineService } from '../types.js';

const Aggregation = z.strictObject({
  column: ColumnName,
  function: z.enum(['sum', 'mean', 'min', 'max', 'count', 'count_distinct']),
});

export const bigDataProcessing = defineService({
  id: 'big_data_processing',
  name: 'Big data processing',
  category: 'data_analytics',
  description: 'GPU-accelerated ETL, joins and aggregations over large tables (RAPIDS, Polars).',
  version: '1.0.0',
  tags: ['spark', 'rapids', 'etl', 'dataframes', 'parquet', 'big-data'],
  input: z
    .strictObject({
      input_urls: z.array(httpUrl).min(1).max(256),
      engine: z.enum(['spark_rapids', 'dask_cudf', 'polars_gpu']).default('spark_rapids'),
      operation: z
        .enum(['format_conversion', 'aggregation', 'deduplication', 'sort'])
        .default('format_conversion'),
      input_format: z.enum(['parquet', 'csv', 'jsonl', 'orc']).default('parquet'),
      output_format: z.enum(['parquet', 'csv', 'jsonl']).default('parquet'),
      group_by: z.array(ColumnName).max(32).default([]),
      aggregations: z.array(Aggregation).max(64).default([]),
      sort_by: z.array(ColumnName).max(32).default([]),
      partitions: z.number().int().min(1).max(10000).default(200),
    })
    .refine((r) => r.operation !== 'aggregation' || r.aggregations.length > 0, {
      path: ['aggregations'],
      message: 'an aggregation needs at least one aggregation',
    })
    .refine((r) => r.operation !== 'sort' || r.sort_by.length > 0, {
      path: ['sort_by'],
      message: 'a sort needs at least one sort_by column',
    }),
  output: z.object({ outputs: z.array(Artifact), rows: z.number().int().nonnegative() }),
  example: { input_urls: ['https://example.com/events.csv'] },
  requirements: [
    need.gpu('nvidia'),
    need.vram(16, { recommended: 48 }),
    need.cuda('11.8'),
    need.ram(64),
    need.storage(500),
  ],
  pricing: [tier('per_gb', 0.02, { unit: 'GB of input' }), tier('per_hour', 1.2)],
  timeout_seconds: 14400,
  max_concurrent: 2,
});

const METRICS = ['count', 'sum', 'mean', 'p50', 'p95', 'p99', 'distinct_count'] as const;
const STREAM_ANALYTICS_TIER = tier('per_minute', 0.004, { unit: 'stream minute' });

export const realTimeAnalytics = defineService({
  id: 'real_time_analytics',
  name: 'Real-time analytics',
  category: 'data_analytics',
  description: 'Sliding-window metrics over an HTTP event stream, pushed to a webhook.',
  version: '1.0.0',
  tags: ['streaming', 'analytics', 'windowing', 'metrics', 'real-time'],
  input: z
    .strictObject({
      source_url: httpUrl.describe('an NDJSON or server-sent-events stream'),
      sink_url: httpUrl.nullable().default(null).describe('where each window is POSTed'),
      window_seconds: z.number().int().min(1).max(3600).default(60),
      slide_seconds: z.number().int().min(1).max(3600).default(10),
      metrics: z.array(z.enum(METRICS)).min(1).max(METRICS.length).default(['count']),
      value_field: ColumnName.nullable().default(null),
      group_by: z.array(ColumnName).max(8).default([]),
      duration_minutes: z.number().int().min(1).max(1440).default(60),
    })
    .refine((r) => r.slide_seconds <= r.window_seconds, {
      path: ['slide_seconds'],
      message: 'slide_seconds must not exceed window_seconds',
    })
    .refine((r) => r.value_field !== null || r.metrics.every((m) => m === 'count'), {
      path: ['value_field'],
      message: 'metrics other than count need a value_field',
    }),
  output: z.object({ windows: z.number().int().nonnegative(), results: Artifact.nullable() }),
  example: { source_url: 'https://example.com/events/stream' },
  requirements: [need.gpu('any'), need.vram(4, { recommended: 16 }), need.network(100)],
  pricing: [STREAM_ANALYTICS_TIER],
  timeout_seconds: 3900,
  max_concurrent: 4,
  timeoutFor: (r) => clampTimeout(r.duration_minutes * 60 + 300),
  estimatePrice: (r) => priced(r.duration_minutes, STREAM_ANALYTICS_TIER),
});

export const graphAnalytics = defineService({
  id: 'graph_analytics',
  name: 'Graph analytics',
  category: 'data_analytics',
  description: 'PageRank, components, shortest paths and community detection with cuGraph.',
  version: '1.0.0',
  tags: ['graph', 'cugraph', 'pagerank', 'networks', 'community-detection'],
  input: z
    .strictObject({
      edges_url: httpUrl.describe('an edge list: source, target[, weight]'),
      algorithm: z
        .enum([
          'pagerank',
          'connected_components',
          'shortest_path',
          'community_detection',
          'betweenness_centrality',
          'triangle_count',
        ])
        .default('pagerank'),
      format: z.enum(['csv', 'parquet']).default('csv'),
      directed: z.boolean().default(true),
      weighted: z.boolean().default(false),
      source_vertex: z.string().min(1).max(256).nullable().default(null),
      max_iterations: z.number().int().min(1).max(1000).default(100),
      tolerance: z.number().gt(0).max(0.1).default(0.000001),
      damping: z.number().min(0).max(1).default(0.85),
    })
    .refine((r) => r.algorithm !== 'shortest_path' || r.source_vertex !== null, {
      path: ['source_vertex'],
      message: 'shortest_path needs a source_vertex',
    }),
  output: z.object({
    results: Artifact,
    vertices: z.number().int(),
    edges: z.number().int(),
    iterations: z.number().int().nullable(),
  }),
  example: { edges_url: 'https://example.com/follows.csv' },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 32 }), need.cuda('11.8')],
  pricing: [tier('per_hour', 1, { min_charge: 0.1 })],
  timeout_seconds: 7200,
  max_concurrent: 2,
});

export const timeSeriesAnalysis = defineService({
  id: 'time_series_analysis',
  name: 'Time series analysis',
  category: 'data_analytics',
  description: 'Forecasting, anomaly detection and decomposition of time series.',
  version: '1.0.0',
  tags: ['time-series', 'forecasting', 'anomaly-detection', 'chronos', 'prophet'],
  input: z.strictObject({
    series_url: httpUrl.describe('CSV or Parquet with a timestamp column'),
    task: z
      .enum(['forecasting', 'anomaly_detection', 'decomposition', 'classification'])
      .default('forecasting'),
    model: z
      .enum(['chronos', 'temporal_fusion_transformer', 'lstm', 'prophet', 'arima'])
      .default('chronos'),
    timestamp_column: ColumnName.default('timestamp'),
    value_columns: z.array(ColumnName).min(1).max(64).default(['value']),
    frequency: z.enum(['1min', '5min', '15min', '1h', '1d', '1w']).default('1h'),
    horizon: z.number().int().min(1).max(10000).default(24),
    confidence_level: z.number().min(0.5).max(0.999).default(0.95),
  }),
  output: z.object({ predictions: Artifact, metrics: z.record(z.string(), z.number()) }),
  example: { series_url: 'https://example.com/load.csv' },
  requirements: [need.gpu('any'), need.vram(4, { recommended: 16 })],
  pricing: [tier('per_hour', 0.4, { min_charge: 0.05 })],
  timeout_seconds: 3600,
  max_concurrent: 4,
});

export const vectorSearch = defineService({
  id: 'vector_search',
  name: 'Vector search',
  category: 'data_analytics',
  description: 'Build an approximate nearest-neighbour index and answer k-NN queries in batch.',
  version: '1.0.0',
  tags: ['vectors', 'ann', 'knn', 'cuvs', 'faiss', 'similarity'],
  input: z.strictObject({
    vectors_url: httpUrl.describe('the corpus, as .npy or Parquet'),
    queries_url: httpUrl,
    dimensions: z.number().int().min(2).max(4096),
    metric: z.enum(['cosine', 'l2', 'inner_product']).default('cosine'),
    index_type: z.enum(['flat', 'ivf_flat', 'ivf_pq', 'cagra']).default('cagra'),
    top_k: z.number().int().min(1).max(1024).default(10),
  }),
  output: z.object({ results: Artifact, queries: z.number().int() }),
  example: {
    vectors_url: 'https://example.com/corpus.npy',
    queries_url: 'https://example.com/queries.npy',
    dimensions: 768,
  },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 24 }), need.cuda('11.8')],
  pricing: [tier('per_hour', 0.8, { min_charge: 0.05 })],
  timeout_seconds: 3600,
  max_concurrent: 2,
});

export const DATA_ANALYTICS_SERVICES = [
  bigDataProcessing,
  realTimeAnalytics,
  graphAnalytics,
  timeSeriesAnalysis,
  vectorSearch,
];
