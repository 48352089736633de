// The catalogue the tests configure: the seed's models (from the Together docs' examples) plus a
// tiny one for fast tests. Passed to the gateway as the MODELS variable, as a deployer would.
export const TEST_MODELS = [
  { id: "BAAI/bge-large-en-v1.5", type: "embedding", dimensions: 1024, context_length: 512, max_batch: 128 },
  { id: "BAAI/bge-base-en-v1.5", type: "embedding", dimensions: 768, context_length: 512, max_batch: 128 },
  { id: "togethercomputer/m2-bert-80M-8k-retrieval", type: "embedding", dimensions: 768, context_length: 8192, max_batch: 128 },
  { id: "test/tiny-embed", type: "embedding", dimensions: 8, max_batch: 4 },
  { id: "Salesforce/Llama-Rank-v1", type: "rerank", context_length: 8192, max_batch: 256 },
  { id: "mixedbread-ai/Mxbai-Rerank-Large-V2", type: "rerank", max_batch: 256 },
];

export const TEST_MODELS_JSON = JSON.stringify(TEST_MODELS);
