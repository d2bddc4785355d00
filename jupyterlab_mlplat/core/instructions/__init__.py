"""Instructions: articles instructors write in two languages, aimed at groups or profiles, with
tasks readers tick, images and an example notebook; the product's own starter set."""
