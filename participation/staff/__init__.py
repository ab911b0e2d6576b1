"""The back office (/gestion/): dashboards, queues, mail, the event log."""
