// The example the page opens with: two texts per topic, so a semantic model shows clear blocks in
// the heatmap and a lexical one shows where the words overlap instead.
export const EXAMPLE_TEXTS = [
  "The llama is a camelid from South America, common near Peru.",
  "Guanacos are wild camelids that live in the Andes, including Peru.",
  "The giant panda is a bear that lives in the mountains of China.",
  "Red pandas climb trees in the forests of the eastern Himalayas.",
  "Sourdough bread needs flour, water, salt and time.",
  "A baguette is a long, thin loaf of French bread.",
  "Cloudflare Workers run JavaScript close to the user.",
  "A cache keeps each embedding so nothing is computed twice.",
];

export const EXAMPLE_QUERY = "Which animals live near Peru?";
