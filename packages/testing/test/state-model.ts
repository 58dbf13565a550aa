// The in-app delivery state model of contract notes § 9, written out here for
// the tests, independently of the code under test: which receipt may follow
// which ("Received" is the start; Read and Rejected end the story).
export const NEXT: Record<string, readonly string[]> = {
  Received: ["Rejected", "Delivered"],
  Delivered: ["NotificationAttempted", "Unnotified"],
  NotificationAttempted: ["Notified", "Read"],
  Notified: ["Read"],
  Unnotified: ["Read"],
  Read: [],
  Rejected: [],
};
