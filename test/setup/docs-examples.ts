// The Together docs' rerank example (reference/together-openapi.yaml, the /rerank curl sample), used
// unchanged by the tests that check the docs' examples work against the gateway.
export const DOCS_QUERY = "What animals can I find near Peru?";

export const DOCS_ANIMALS = [
  {
    title: "Llama",
    text: "The llama is a domesticated South American camelid, widely used as a meat and pack animal by Andean cultures since the pre-Columbian era.",
  },
  {
    title: "Panda",
    text: "The giant panda (Ailuropoda melanoleuca), also known as the panda bear or simply panda, is a bear species endemic to China.",
  },
  {
    title: "Guanaco",
    text: "The guanaco is a camelid native to South America, closely related to the llama. Guanacos are one of two wild South American camelids; the other species is the vicuña, which lives at higher elevations.",
  },
  {
    title: "Wild Bactrian camel",
    text: "The wild Bactrian camel (Camelus ferus) is an endangered species of camel endemic to Northwest China and southwestern Mongolia.",
  },
];
