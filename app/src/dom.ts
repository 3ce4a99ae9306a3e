/** Building the page from plain DOM nodes (no UI framework: the bundle stays small). */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A labelled figure: the label above, the value (with `id`, for tests) below. */
export function figure(label: string, value: string, id: string): HTMLElement {
  return el("div", {}, el("div", { class: "muted" }, label), el("div", { class: "figure", id }, value));
}

const SVG = "http://www.w3.org/2000/svg";

/** A line chart of `points` ("x,y x,y ...") in a `width` x `height` box, described by `label`. */
export function lineChart(points: string, width: number, height: number, label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `-4 -4 ${width + 8} ${height + 8}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("class", "chart");
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points);
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#36c");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  return svg;
}
