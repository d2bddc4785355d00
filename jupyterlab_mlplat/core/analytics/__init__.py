"""Analytics: how the cluster's resources are used (usage samples) and how the teams work (team
figures from the audit log, MLflow and the deployments' traffic), seen per person, team and day."""
