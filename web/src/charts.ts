import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

// Only the parts the pages draw, so that the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  Legend,
);

// As Chart.js's script-tag build does, so that a chart's data can be read with Chart.getChart(canvas) (the browser test does).
Object.assign(window, { Chart });

export { Chart };

export const STATUS_COLOURS: Record<string, string> = {
  succeeded: '#2e7d32',
  running: '#1565c0',
  failed: '#c62828',
  skipped: '#9e9e9e',
  pending: '#cfd8dc',
};
