// A tiny element builder. Text always goes in as text nodes (never HTML), so pasted texts and
// gateway answers cannot inject markup; styles are set through CSSOM, which `style-src 'self'` allows.

/**
 * @param {string} tag
 * @param {{ class?: string, title?: string, vars?: Record<string, string | number>, [attr: string]: unknown }} [props]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = String(value);
    else if (name === "vars") for (const [k, v] of Object.entries(value)) node.style.setProperty(`--${k}`, String(v));
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "object" ? child : String(child));
  }
  return node;
}

/** Replaces everything inside `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children) if (child) node.append(child);
}
