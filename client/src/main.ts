/** Entry: registers the service worker and starts the app. */
import { startApp } from './app';
import './style.css';

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((err) => console.warn('service worker not registered', err));
  });
}

startApp(document.getElementById('app')!);
