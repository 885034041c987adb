// Ends with an error thrown in a setTimeout callback.
function boom(reason) {
  const message = `timer failed: ${reason}`;
  throw new RangeError(message);
}

function schedule() {
  setTimeout(() => {
    boom("late");
  }, 5);
}

console.log("uncaught_timer about to fail");
schedule();
