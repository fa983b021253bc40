export function startApp(root: HTMLElement): void { root.textContent = "VirtuBar"; }
