export default function DashboardPage() {
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <header className="mb-6">
        <h1 className="text-2xl font-semibold tracking-tight">Breaker Lab</h1>
      </header>
      <p data-testid="empty-state" className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-500 dark:border-slate-700">
        No breakers yet.
      </p>
    </main>
  );
}
