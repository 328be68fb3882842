"""Running durable jobs (django-tasks with its database backend) inside `mostrador serve` or as
separate `mostrador worker` processes."""
