"""Quality monitoring and feedback for supervisors (issue 17): skill standards (an ops-edited file), sampled replies
and their reviews per criterion, the agents' feedback (unread until acknowledged)."""
