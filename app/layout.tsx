import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Breaker Lab",
  description: "Fire calls, break upstream services and watch circuit breakers trip, wait, probe and recover.",
};

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        {children}
      </body>
    </html>
  );
}
