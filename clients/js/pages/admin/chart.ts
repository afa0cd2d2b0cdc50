import type { ServerStats } from "../../src/index.js";

/** Samples kept: one minute at the server's default of one per second. */
const capacity = 60;

/**
 * A small hand-drawn line chart of the last minute: messages per second and connections, each scaled to its own
 * maximum (labelled), on a canvas sized for the device's pixel ratio.
 */
export class StatsChart {
  private readonly samples: ServerStats[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {}

  add(sample: ServerStats): void {
    this.samples.push(sample);
    if (this.samples.length > capacity) {
      this.samples.shift();
    }
    this.draw();
  }

  private draw(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || 900;
    const height = this.canvas.clientHeight || 180;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    const context = this.canvas.getContext("2d");
    if (!context) {
      return;
    }
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const style = getComputedStyle(document.documentElement);
    const padding = { left: 8, right: 8, top: 18, bottom: 8 };
    const plot = { width: width - padding.left - padding.right, height: height - padding.top - padding.bottom };

    context.strokeStyle = style.getPropertyValue("--line") || "#ddd";
    context.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = padding.top + (plot.height * i) / 4;
      context.beginPath();
      context.moveTo(padding.left, y);
      context.lineTo(width - padding.right, y);
      context.stroke();
    }

    const series = [
      { values: this.samples.map((s) => s.messagesPerSecond), color: style.getPropertyValue("--accent") || "#0b62d6", label: "msg/s" },
      { values: this.samples.map((s) => s.connections), color: style.getPropertyValue("--ok") || "#1a7f37", label: "conn" },
    ];
    context.font = "11px system-ui, sans-serif";
    series.forEach((line, index) => {
      const max = Math.max(1, ...line.values);
      context.strokeStyle = line.color;
      context.fillStyle = line.color;
      context.lineWidth = 2;
      context.beginPath();
      line.values.forEach((value, i) => {
        const x = padding.left + (plot.width * (i + capacity - line.values.length)) / (capacity - 1);
        const y = padding.top + plot.height - (plot.height * value) / max;
        if (i === 0) {
          context.moveTo(x, y);
        } else {
          context.lineTo(x, y);
        }
      });
      context.stroke();
      context.fillText(`${line.label} max ${formatNumber(max)}`, padding.left + index * 120, 12);
    });
  }
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
