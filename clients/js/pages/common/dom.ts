// DOM helpers for the pages. Text always goes in as text nodes (textContent), never as HTML, so whatever
// users type (a <script> tag included) shows as the characters they typed.

type Child = Node | string | number | null | undefined | false;

interface Props {
  className?: string;
  test?: string;
  title?: string;
  data?: Record<string, string>;
  attrs?: Record<string, string>;
  onClick?: (event: Event) => void;
}

/** Creates an element with properties and children; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) {
    element.className = props.className;
  }
  if (props.test) {
    element.dataset.test = props.test;
  }
  if (props.title) {
    element.title = props.title;
  }
  for (const [key, value] of Object.entries(props.data ?? {})) {
    element.dataset[key] = value;
  }
  for (const [key, value] of Object.entries(props.attrs ?? {})) {
    element.setAttribute(key, value);
  }
  if (props.onClick) {
    element.addEventListener("click", props.onClick);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

/** The element marked `data-test="name"` (the pages and their browser tests share these names). */
export function byTest<T extends HTMLElement = HTMLElement>(name: string, root: ParentNode = document): T {
  const element = root.querySelector<T>(`[data-test="${name}"]`);
  if (!element) {
    throw new Error(`No element with data-test="${name}".`);
  }
  return element;
}

export function setText(element: HTMLElement, text: string): void {
  element.textContent = text;
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

export function formatTime(date: Date): string {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** The message of anything thrown, for showing to the user. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
